package io.chatroom.bench;

import java.util.List;
import java.util.Map;

/**
 * What one scenario measured against one server. {@code server} is "chatroom" or "socketio";
 * {@code parameters} are the knobs it ran with (clients, room size, ...); {@code steps} are its load levels (empty
 * for scenarios that do not step); {@code figures} are its headline numbers by name (see {@link Figures});
 * {@code lost} and {@code duplicated} count deliveries, and must be 0; {@code notes} say what a reader should know.
 */
public record ScenarioResult(String scenario, String server, Map<String, Object> parameters, List<Step> steps,
    Map<String, Double> figures, long lost, long duplicated, List<String> notes) {

  public ScenarioResult {
    parameters = Map.copyOf(parameters);
    steps = List.copyOf(steps);
    figures = Map.copyOf(figures);
    notes = List.copyOf(notes);
  }

  public boolean clean() {
    return lost == 0 && duplicated == 0;
  }
}
