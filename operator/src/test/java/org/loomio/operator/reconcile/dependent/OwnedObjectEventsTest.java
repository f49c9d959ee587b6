package org.loomio.operator.reconcile.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OwnedObjectEventsTest {

  @Test
  void namesEveryObjectGroupedByKind() {
    Map<String, List<String>> byKind = new TreeMap<>();
    byKind.put("Deployment", new ArrayList<>(List.of("team-worker", "team-web")));
    byKind.put("Service", List.of("team-web"));
    assertThat(OwnedObjectEvents.message("Created %s: ", byKind))
        .isEqualTo("Created 3 objects: Deployment team-web, team-worker; Service team-web");
    assertThat(OwnedObjectEvents.message(
            "Deleted %s the spec no longer asks for: ", Map.of("Ingress", List.of("team"))))
        .isEqualTo("Deleted 1 object the spec no longer asks for: Ingress team");
  }

  @Test
  void aVeryLongListIsCutAndCounted() {
    Map<String, List<String>> byKind = new TreeMap<>();
    for (int k = 0; k < 40; k++) {
      byKind.put("Kind" + (100 + k), List.of("a-rather-long-object-name-" + k));
    }
    String message = OwnedObjectEvents.message("Created %s: ", byKind);
    assertThat(message.length()).isLessThanOrEqualTo(OwnedObjectEvents.MAX_MESSAGE + 20);
    assertThat(message).startsWith("Created 40 objects: Kind100 ").matches(".*; and \\d+ more$");
  }
}
