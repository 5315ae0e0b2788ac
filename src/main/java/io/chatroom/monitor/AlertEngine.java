package io.chatroom.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates alert rules against samples. Per rule: inactive → pending when the condition first holds →
 * firing once it has held for the rule's {@code for} duration → resolved as soon as it stops holding.
 * A pending condition that clears never fires, so a brief spike does not flap. A firing is notified
 * unless the same rule was notified less than its cooldown ago; its resolution is notified only if the
 * firing was. Time is the samples' own timestamps, so tests drive it exactly.
 */
public final class AlertEngine {
  private List<AlertRule> rules;
  private final Map<String, RuleState> states = new LinkedHashMap<>();

  private static final class RuleState {
    long pendingSince = -1;
    boolean firing;
    boolean firingNotified;
    long lastNotified = Long.MIN_VALUE;
    double value;
    long firingSince;
  }

  public AlertEngine(List<AlertRule> rules) {
    this.rules = List.copyOf(rules);
    for (AlertRule rule : rules) {
      states.put(rule.name(), new RuleState());
    }
  }

  public synchronized List<AlertRule> rules() {
    return rules;
  }

  /**
   * Evaluates {@code next} from now on (a configuration reload). A rule whose name stays keeps its state (pending
   * since, firing, last notified), so a reload neither re-notifies a firing alert nor resets a cooldown; a
   * rule that is gone is forgotten, firing or not.
   */
  public synchronized void setRules(List<AlertRule> next) {
    this.rules = List.copyOf(next);
    Map<String, RuleState> kept = new LinkedHashMap<>();
    for (AlertRule rule : rules) {
      RuleState state = states.get(rule.name());
      kept.put(rule.name(), state != null ? state : new RuleState());
    }
    states.clear();
    states.putAll(kept);
  }

  /** Advances every rule to {@code sample}'s time and returns what changed, in rule order. */
  public synchronized List<AlertEvent> evaluate(Sample sample) {
    long now = sample.timestamp();
    List<AlertEvent> events = new ArrayList<>();
    for (AlertRule rule : rules) {
      RuleState s = states.get(rule.name());
      double value = sample.get(rule.figure());
      s.value = value;
      if (rule.holds(sample)) {
        if (s.firing) {
          continue;
        }
        if (s.pendingSince < 0) {
          s.pendingSince = now;
        }
        if (now - s.pendingSince >= rule.forDuration().toMillis()) {
          s.firing = true;
          s.firingSince = now;
          s.firingNotified = s.lastNotified == Long.MIN_VALUE || now - s.lastNotified >= rule.cooldown().toMillis();
          if (s.firingNotified) {
            s.lastNotified = now;
          }
          events.add(event(rule, AlertEvent.State.FIRING, value, s.firingNotified, now));
        }
      } else {
        s.pendingSince = -1;
        if (s.firing) {
          s.firing = false;
          events.add(event(rule, AlertEvent.State.RESOLVED, value, s.firingNotified, now));
        }
      }
    }
    return events;
  }

  /** The rules firing now, with the value that last made them fire. */
  public synchronized List<Map<String, Object>> active() {
    List<Map<String, Object>> active = new ArrayList<>();
    for (AlertRule rule : rules) {
      RuleState s = states.get(rule.name());
      if (s.firing) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule.name());
        m.put("severity", rule.severity().label());
        m.put("condition", rule.condition());
        m.put("value", Double.isFinite(s.value) ? s.value : null);
        m.put("since", java.time.Instant.ofEpochMilli(s.firingSince).toString());
        active.add(m);
      }
    }
    return active;
  }

  /** Firing rules counted by severity, for the chatroom_alerts_firing gauge. */
  public synchronized long firing(AlertRule.Severity severity) {
    return rules.stream().filter(r -> r.severity() == severity && states.get(r.name()).firing).count();
  }

  private static AlertEvent event(AlertRule rule, AlertEvent.State state, double value, boolean notified, long now) {
    return new AlertEvent(rule.name(), rule.severity(), state, rule.figure(), value, rule.threshold(), rule.summary(), notified, now);
  }
}
