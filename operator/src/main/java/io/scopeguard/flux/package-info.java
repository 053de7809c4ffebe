/** Flux: the kinds scopeguard guards and how to read their fields. */
package io.scopeguard.flux;
