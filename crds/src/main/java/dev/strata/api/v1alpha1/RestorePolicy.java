package dev.strata.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Automatic restore before start: pods that match the selector get an init container that restores
 * the latest snapshot of their own volume (their PVC and path) before the app starts.
 */
@Group(StrataGroup.GROUP)
@Version(StrataGroup.VERSION)
@ShortNames("srpolicy")
@Categories("strata")
// The name becomes a label value on every pod it restores, and label values hold at most 63
// characters.
@ValidationRule(
    value = "self.metadata.name.size() <= 63",
    message =
        "a RestorePolicy's name is written as a label value on the pods it restores: use at most 63 characters")
@AdditionalPrinterColumn(
    name = "Volume",
    jsonPath = ".spec.volumeName",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Store",
    jsonPath = ".spec.storeRef.name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Restores",
    jsonPath = ".status.restoresDone",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class RestorePolicy extends CustomResource<RestorePolicySpec, RestorePolicyStatus>
    implements Namespaced {}
