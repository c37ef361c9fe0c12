package dev.strata.operator.restorepolicy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;

/** What a RestorePolicy adds to a pod: the restore init container (first), its volumes, a label and annotations. */
public record RestoreInjection(Container initContainer, List<Volume> volumes, Map<String, String> labels, Map<String, String> annotations) {}
