// What each part of Fieldgraph needs from Node.js, and the plain words `npm start` says when the
// Node.js in use cannot do it. package.json's engines states the desktop requirement (the
// stricter one); the web app, the CLI, the gateway and the tests run from BUILD_NODE on.

/** The oldest Node.js that builds and runs the web app, the CLI and the gateway. */
export const BUILD_NODE = [20, 19, 0];
/** The oldest Node.js Electron 45's installer (@electron/get) and electron-builder accept. */
export const DESKTOP_NODE = [22, 12, 0];

/** True when `version` ("22.12.0", "v20.20.2") is `wanted` or newer. */
export const atLeast = (version, wanted) => {
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== wanted[i]) return (have[i] ?? 0) > wanted[i];
  return true;
};

const upgrade = (version) => [
  `Install Node.js ${DESKTOP_NODE[0]} LTS or newer (https://nodejs.org, your package manager, or`,
  `\`nvm install ${DESKTOP_NODE[0]}\`), then run \`npm install\` and \`npm start\` again.`,
  `(This is Node.js ${version.replace(/^v/, '')}.)`,
];

/** The web app works wherever the build does. */
export const WEB_APP_HINT =
  'Everything else is installed and built: run `npx fieldgraph web` to use the same app in your browser (served on 127.0.0.1 only).';

/**
 * Why `npm start` cannot go on with this Node.js, as lines to print; null when it can.
 * `hasElectronBinary`: an Electron binary fetched earlier runs whatever Node.js started it.
 */
export const startProblem = (version, hasElectronBinary) => {
  if (!atLeast(version, BUILD_NODE))
    return [`Fieldgraph needs Node.js ${BUILD_NODE.join('.')} or newer to build.`, ...upgrade(version)];
  if (!hasElectronBinary && !atLeast(version, DESKTOP_NODE))
    return [
      `The desktop window needs Node.js ${DESKTOP_NODE.join('.')} or newer: Electron fetches its binary on`,
      'the first start, and its fetcher refuses older versions.',
      ...upgrade(version),
      WEB_APP_HINT,
    ];
  return null;
};
