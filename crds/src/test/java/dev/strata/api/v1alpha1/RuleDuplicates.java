package dev.strata.api.v1alpha1;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drops repeated CEL rules from a generated CRD. A {@code @ValidationRule} on a record component
 * reaches both the field and its accessor, and fabric8's generator writes the rule once for each;
 * the API server would then report every failure twice, and server-side apply refuses such a CRD
 * ("duplicate entries for key [rule=...]": the list is keyed by rule). Like PrinterColumns, it
 * removes whole list items of the generated text and changes nothing else.
 */
final class RuleDuplicates {

  private static final String KEY = "x-kubernetes-validations:";

  private RuleDuplicates() {}

  static String removed(String crdYaml) {
    List<String> lines = List.of(crdYaml.split("\n", -1));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      out.add(line);
      if (!line.trim().equals(KEY)) {
        continue;
      }
      String item = " ".repeat(line.indexOf(KEY)) + "- ";
      String inside = " ".repeat(item.length());
      Set<String> seen = new HashSet<>();
      int j = i + 1;
      while (j < lines.size() && lines.get(j).startsWith(item)) {
        List<String> entry = new ArrayList<>(List.of(lines.get(j++)));
        while (j < lines.size() && lines.get(j).startsWith(inside)) {
          entry.add(lines.get(j++));
        }
        if (seen.add(String.join("\n", entry))) {
          out.addAll(entry);
        }
      }
      i = j - 1;
    }
    return String.join("\n", out);
  }
}
