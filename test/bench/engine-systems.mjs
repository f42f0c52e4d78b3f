// The systems `bench:engine` (engine.mjs) compares, and the flow each runs: MQTT in (bench/in,
// {"temp":0..50,"seq":n}) → if payload.temp > 25 → set alert: true → MQTT out (bench/out), QoS 0.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const benchFlow = {
  schemaVersion: 1,
  id: 'bench',
  name: 'Bench: hot readings raise an alert',
  roles: [],
  runMode: { mode: 'parallel', max: 1000 },
  nodes: [
    {
      id: 'in',
      kind: 'trigger.mqtt',
      config: { topic: 'bench/in', format: 'json' },
      position: { x: 0, y: 0 },
    },
    { id: 'hot', kind: 'logic.if', config: { condition: 'payload.temp > 25' }, position: { x: 200, y: 0 } },
    { id: 'alert', kind: 'logic.transform', config: { set: { alert: 'true' } }, position: { x: 400, y: 0 } },
    {
      id: 'out',
      kind: 'action.mqtt-publish',
      config: { topic: 'bench/out', payload: 'payload', qos: 0, retain: false },
      position: { x: 600, y: 0 },
    },
  ],
  edges: [
    { id: 'e1', from: { node: 'in', port: 'out' }, to: { node: 'hot', port: 'in' } },
    { id: 'e2', from: { node: 'hot', port: 'true' }, to: { node: 'alert', port: 'in' } },
    { id: 'e3', from: { node: 'alert', port: 'out' }, to: { node: 'out', port: 'in' } },
  ],
};

export const nodeRedFlow = (port) => [
  { id: 'tab1', type: 'tab', label: 'bench' },
  {
    id: 'broker1',
    type: 'mqtt-broker',
    name: 'local',
    broker: '127.0.0.1',
    port: String(port),
    clientid: `nodered-bench-${port}`,
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
    birthTopic: '',
    closeTopic: '',
    willTopic: '',
  },
  {
    id: 'in1',
    type: 'mqtt in',
    z: 'tab1',
    topic: 'bench/in',
    qos: '0',
    datatype: 'json',
    broker: 'broker1',
    nl: false,
    rap: true,
    rh: 0,
    inputs: 0,
    wires: [['sw1']],
  },
  {
    id: 'sw1',
    type: 'switch',
    z: 'tab1',
    property: 'payload.temp',
    propertyType: 'msg',
    rules: [{ t: 'gt', v: '25', vt: 'num' }],
    checkall: 'true',
    repair: false,
    outputs: 1,
    wires: [['ch1']],
  },
  {
    id: 'ch1',
    type: 'change',
    z: 'tab1',
    rules: [{ t: 'set', p: 'payload.alert', pt: 'msg', to: 'true', tot: 'bool' }],
    wires: [['out1']],
  },
  {
    id: 'out1',
    type: 'mqtt out',
    z: 'tab1',
    topic: 'bench/out',
    qos: '0',
    retain: 'false',
    broker: 'broker1',
    wires: [],
  },
];

/**
 * How each system under test is started against `broker`, with `env` (which carries the
 * diagnostics file of FG_BENCH_DIAG). Every system runs on the same Node binary.
 */
export const systemLaunchers = ({
  repo,
  work,
  node22,
  redJs,
  diagPreload,
  stagesPreload,
  gatewayEntry,
  freePort,
}) => ({
  passthrough: async (broker, env) =>
    spawn(node22, [...diagPreload, join(repo, 'test', 'bench', 'engine-passthrough.mjs'), broker.url], {
      cwd: repo,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  fieldgraph: async (broker, env) => {
    const project = mkdtempSync(join(work, 'project-'));
    mkdirSync(join(project, 'flows'));
    writeFileSync(
      join(project, 'fieldgraph.json'),
      JSON.stringify({ schemaVersion: 1, id: 'bench', name: 'Bench', roles: [] }),
    );
    writeFileSync(join(project, 'flows', 'bench.json'), JSON.stringify(benchFlow));
    const data = mkdtempSync(join(work, 'gateway-'));
    // FG_BENCH_PROFILE_DIR=/some/dir writes a V8 CPU profile of the gateway there, for tuning.
    const dir = process.env.FG_BENCH_PROFILE_DIR;
    const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
    return spawn(
      node22,
      [
        ...profile,
        ...diagPreload,
        ...stagesPreload,
        gatewayEntry,
        'gateway',
        '--id',
        'bench',
        '--broker',
        broker.url,
        '--data',
        data,
        '--project',
        project,
      ],
      {
        cwd: repo,
        env: { ...env, FIELDGRAPH_LOG: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  },
  node_red: async (broker, env) => {
    const userDir = mkdtempSync(join(work, 'node-red-'));
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(nodeRedFlow(broker.port)));
    const uiPort = await freePort();
    writeFileSync(
      join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiPort,
        uiHost: '127.0.0.1',
        flowFile: 'flows.json',
        credentialSecret: false,
        logging: { console: { level: 'warn', metrics: false, audit: false } },
        telemetry: { enabled: false },
        diagnostics: { enabled: false },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
      })};\n`,
    );
    return spawn(
      node22,
      [...diagPreload, redJs, '--settings', join(userDir, 'settings.js'), '--userDir', userDir],
      { cwd: userDir, env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  },
});
