// Load for `npm run bench:console`, in its own process so publishing never shares a thread with
// the measuring: 2,000 topics (bench/area-<0..19>/dev-<0..9>/m-<0..9>), each published once
// (every tenth retained), then RATE messages a second spread uniformly over them, a tenth of
// them on one watched topic so the topic page and its plot keep updating.
// Usage: node console-load.mjs BROKER_URL RATE; a line "seed" on stdin publishes every topic once
// (then it prints "seeded"), a line "run" starts the steady load.
import mqtt from 'mqtt';

const [url, rateText] = process.argv.slice(2);
const rate = Number(rateText ?? 500);
const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `bench-load-${process.pid}` });
const topics = [];
for (let a = 0; a < 20; a++)
  for (let d = 0; d < 10; d++) for (let m = 0; m < 10; m++) topics.push(`bench/area-${a}/dev-${d}/m-${m}`);
const payload = (i, n) =>
  i % 2 === 0
    ? (20 + Math.sin(n / 10 + i) * 5).toFixed(2)
    : JSON.stringify({
        value: Math.round(Math.cos(n / 7 + i) * 1000) / 10,
        rssi: -40 - (n % 30),
        state: 'ON',
      });
const seed = async () => {
  for (let i = 0; i < topics.length; i++)
    await client.publishAsync(topics[i], payload(i, 0), { retain: i % 10 === 0 });
  console.log('seeded');
};

let n = 0;
const TICK_MS = 20;
const perTick = (rate * TICK_MS) / 1000;
let owed = 0;
const run = () =>
  setInterval(() => {
    owed += perTick;
    while (owed >= 1) {
      owed -= 1;
      n++;
      const i = n % 10 === 0 ? 0 : Math.floor(Math.random() * topics.length);
      client.publish(topics[i], payload(i, n), { qos: 0 });
    }
  }, TICK_MS);
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
  for (let cut = input.indexOf('\n'); cut >= 0; cut = input.indexOf('\n')) {
    const line = input.slice(0, cut).trim();
    input = input.slice(cut + 1);
    if (line === 'seed') void seed();
    if (line === 'run') run();
  }
});
process.on('SIGTERM', () => client.end(true, () => process.exit(0)));
