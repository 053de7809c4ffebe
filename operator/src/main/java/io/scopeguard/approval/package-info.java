/** Holding and approving: the annotations, the hold state and the decision table. */
package io.scopeguard.approval;
