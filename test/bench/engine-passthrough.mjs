// The practical limit for the engine benchmark: a hand-written mqtt.js pass-through doing the
// same work as the benchmark flow (subscribe, parse, test, publish), with nothing else around it.
// Usage: node engine-passthrough.mjs mqtt://127.0.0.1:PORT
import { createConnection } from 'node:net';
import { MqttClient } from 'mqtt';

const url = new URL(process.argv[2]);
const client = new MqttClient(
  () => createConnection({ host: url.hostname, port: Number(url.port), noDelay: true }),
  { protocolVersion: 4, clientId: `passthrough-${process.pid}`, clean: true, reconnectPeriod: 1000 },
);
client.on('connect', () => client.subscribe('bench/in', { qos: 0 }, () => console.log('ready')));
client.on('message', (_topic, payload) => {
  let message;
  try {
    message = JSON.parse(payload.toString());
  } catch {
    return;
  }
  if (message.temp > 25) {
    message.alert = true;
    client.publish('bench/out', JSON.stringify(message));
  }
});
process.on('SIGTERM', () => client.end(true, {}, () => process.exit(0)));
