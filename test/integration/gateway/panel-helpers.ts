/** Helpers of the panel's integration test: messages on the broker, and the panel's live stream. */
import type { MqttClient } from 'mqtt';

/** Messages arriving on mosquitto, to wait for the one a run publishes. */
export const watch = (client: MqttClient, filter: string) => {
  const seen: { topic: string; text: string }[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, text: payload.toString() }));
  client.subscribe(filter);
  const next = async (topic: string, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = seen.findIndex((m) => m.topic === topic);
      if (i >= 0) return seen.splice(i, 1)[0]!.text;
      if (Date.now() > until) throw new Error(`nothing arrived on ${topic}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { seen, next };
};

/** The events of a live stream as they arrive. */
export const openStream = async (url: string, token: string) => {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const events: { event: string; data: { values: { widget: string; value: unknown }[] } }[] = [];
  if (response.ok && response.body) {
    void (async () => {
      let buffer = '';
      try {
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value: chunk, done } = await reader.read();
          if (done) break;
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  const waitFor = async <T>(find: () => T | undefined, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const found = find();
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the stream never carried ${what}: ${JSON.stringify(events).slice(0, 2000)}`);
  };
  return { response, events, waitFor, close: () => abort.abort() };
};
