package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which writes of scopeguard's own annotations the scope gate refuses when they come from anyone
 * but scopeguard. Columns: the annotations before (- for a create), after; {@code name=value} pairs
 * separated by {@code ;}; the annotation named in the refusal, or - when the write passes.
 */
class ScopeAdmissionForgeryTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      created without them                     | -                                  | approve=1-abc                        | -
      created with a hold                      | -                                  | suspended-reason=X                   | scopeguard.io/suspended-reason
      created with an approval record          | -                                  | approved-spec=f/d                    | scopeguard.io/approved-spec
      untouched on update                      | suspended-reason=X;suspended-token=1 | suspended-reason=X;suspended-token=1;approve=1 | -
      token rewritten to match approve         | suspended-reason=X;suspended-token=1 | suspended-reason=X;suspended-token=2;approve=2 | scopeguard.io/suspended-token
      reason changed                           | suspended-reason=X;suspended-token=1 | suspended-reason=Y;suspended-token=1 | scopeguard.io/suspended-reason
      one hold annotation removed, others kept | suspended-reason=X;suspended-token=1 | suspended-reason=X                   | scopeguard.io/suspended-token
      the whole hold removed: the resume guard's | suspended-reason=X;suspended-token=1 | approve=1                          | -
      a recorded approval removed: revoked     | approved-spec=f/d                  | team=a                               | -
      a recorded approval changed              | approved-revision=f@r1             | approved-revision=f@r2               | scopeguard.io/approved-revision
      a prediction forged into a hold          | suspended-reason=X;prediction=H4s  | suspended-reason=X;prediction=H4t    | scopeguard.io/prediction
      the hold and its prediction removed      | suspended-reason=X;prediction=H4s  | approve=1                            | -
      """)
  void refusesWhatOnlyScopeguardWrites(String name, String before, String after, String refused) {
    assertThat(ScopeAdmission.forged(before.equals("-") ? null : object(before), object(after)))
        .as(name)
        .isEqualTo(refused.equals("-") ? null : refused);
  }

  private static JsonNode object(String annotations) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : annotations.split(";")) {
      String[] parts = pair.split("=", 2);
      values.put("scopeguard.io/" + parts[0], parts[1]);
    }
    return JSON.valueToTree(Map.of("metadata", Map.of("annotations", values)));
  }
}
