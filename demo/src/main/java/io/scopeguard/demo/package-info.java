/** The embedded demo: an in-process Kubernetes API and the scenarios scopeguard plays on it. */
package io.scopeguard.demo;
