/**
 * Strata's custom resources, group strata.dev, version v1alpha1. Specs and statuses are immutable
 * records.
 */
package dev.strata.api.v1alpha1;
