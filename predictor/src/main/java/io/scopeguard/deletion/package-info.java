/**
 * The mass-deletion guard: fetching and safely unpacking a source artifact, predicting the objects
 * Flux would apply from it, the inventory diff and its cascade, and the deletion budget.
 */
package io.scopeguard.deletion;
