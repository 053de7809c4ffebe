/**
 * Telling people: scopeguard's holds, approvals and refusals forwarded to Flux's
 * notification-controller as Flux events, so that existing Alerts and Providers fire. Kubernetes
 * I/O layer: network calls, no decisions.
 */
package io.scopeguard.notify;
