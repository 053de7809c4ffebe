/** Start-up and lifecycle: the connection to the API server, the operator, its HTTP endpoints. */
package io.scopeguard.runtime;
