/** ClusterScopes: validating them, and the status that tells a person what each scope declares. */
package io.scopeguard.scope;
