package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioRestoreStatus;
import org.loomio.operator.api.v1alpha1.RestoreStep;

/**
 * A restore step's name and state are enums serialised as the strings status always held, so a status written
 * before they were enums reads back the same, and one written now reads the same to older readers.
 */
class RestoreStepJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void storedStepsReadBackAsTheirEnums() throws Exception {
    LoomioRestoreStatus status = JSON.readValue(
        "{\"steps\":[{\"name\":\"ScaleDown\",\"state\":\"Done\",\"startTime\":\"2026-01-01T00:00:00Z\"},"
            + "{\"name\":\"Restore\",\"state\":\"Failed\"},{\"name\":\"Migrate\",\"state\":\"Running\"},"
            + "{\"name\":\"ScaleUp\",\"state\":\"Running\"}]}",
        LoomioRestoreStatus.class);
    assertThat(status.getSteps())
        .extracting(RestoreStep::getName, RestoreStep::getState)
        .containsExactly(
            tuple(RestoreStep.Name.ScaleDown, RestoreStep.State.Done),
            tuple(RestoreStep.Name.Restore, RestoreStep.State.Failed),
            tuple(RestoreStep.Name.Migrate, RestoreStep.State.Running),
            tuple(RestoreStep.Name.ScaleUp, RestoreStep.State.Running));
  }

  @Test
  void stepsAreWrittenAsTheSameStrings() throws Exception {
    RestoreStep step = new RestoreStep(
        RestoreStep.Name.ScaleDown, RestoreStep.State.Running, "2026-01-01T00:00:00Z");
    assertThat(JSON.writeValueAsString(step))
        .isEqualTo(
            "{\"name\":\"ScaleDown\",\"state\":\"Running\",\"startTime\":\"2026-01-01T00:00:00Z\"}");
  }
}
