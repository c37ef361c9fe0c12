package dev.strata.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A reusable, Git-managed rule for how long the snapshots of the schedules that reference it live.
 */
@Group(StrataGroup.GROUP)
@Version(StrataGroup.VERSION)
@ShortNames("sretain")
@Categories("strata")
@AdditionalPrinterColumn(
    name = "Last",
    jsonPath = ".spec.keepLast",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Daily",
    jsonPath = ".spec.keepDaily",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Max age",
    jsonPath = ".spec.maxAge",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Dry run",
    jsonPath = ".spec.dryRun",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(
    name = "Applied",
    jsonPath = ".status.lastAppliedTime",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class RetentionPolicy extends CustomResource<RetentionPolicySpec, RetentionPolicyStatus>
    implements Namespaced {}
