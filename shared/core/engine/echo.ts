/**
 * Hop counts across the broker. A flow that publishes to a topic one of our MQTT triggers
 * listens to makes a loop through the broker, where no hop counter travels. The hops of each
 * such publish are remembered, and the message coming back gets the same count plus one, so
 * the loop ends at the hop limit like any other.
 */
import { Deque } from './deque';

// Echoes arrive within milliseconds; older entries were lost on the way (QoS 0).
const echoWindowMs = 5000;
const maxRemembered = 10_000;

/** Remembered publishes per topic, oldest first. */
export class EchoHops {
  readonly #topics = new Map<string, Deque<{ hops: number; at: number }>>();

  /** Notes that a step at `hops` published to `topic` at `now`. */
  remember(topic: string, hops: number, now: number): void {
    let queue = this.#topics.get(topic);
    if (!queue) this.#topics.set(topic, (queue = new Deque()));
    if (queue.size >= maxRemembered) queue.shift();
    queue.push({ hops, at: now });
  }

  /** The hop count a message arriving on `topic` starts with: 0 unless it is our own echo. */
  take(topic: string, now: number): number {
    const queue = this.#topics.get(topic);
    if (!queue) return 0;
    for (let echo = queue.shift(); echo; echo = queue.shift()) {
      if (now - echo.at <= echoWindowMs) return echo.hops + 1;
    }
    this.#topics.delete(topic);
    return 0;
  }
}
