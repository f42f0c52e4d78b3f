/**
 * Home Assistant nodes that work on Home Assistant itself — its event bus, API, history,
 * templates, voice assistant, time and zone triggers, and the entities Node-RED creates in it —
 * rather than on a device a role stands for: each stays a placeholder saying what it does.
 */

/** Why each such node type has no Fieldgraph equivalent, by type. */
export const HOME_ASSISTANT_ONLY: Readonly<Record<string, string>> = {
  'server-events':
    'It follows events on Home Assistant’s event bus; a gateway hears the properties and events of its roles’ devices, not Home Assistant’s bus.',
  'events-all':
    'It follows events on Home Assistant’s event bus; a gateway hears the properties and events of its roles’ devices, not Home Assistant’s bus.',
  'ha-fire-event': 'It fires an event on Home Assistant’s event bus, which only Home Assistant receives.',
  'ha-api': 'It calls Home Assistant’s own API, which only Home Assistant answers.',
  'ha-get-entities': 'It searches the entities Home Assistant holds, which a gateway does not.',
  'api-get-history': 'It reads the history Home Assistant keeps, which a gateway does not.',
  'api-render-template':
    'It renders a Jinja template in Home Assistant, which only Home Assistant evaluates.',
  'ha-sentence':
    'It follows sentences said to Home Assistant’s voice assistant, which only Home Assistant hears.',
  'ha-wait-until':
    'It waits until an entity’s state passes a test; a Wait for event node waits for a role’s events, not a test of its properties.',
  'ha-time': 'It starts at a time held in a Home Assistant entity, which the flow does not hold.',
  'ha-zone':
    'It follows people entering and leaving Home Assistant’s zones, which no device of a site reports.',
  'ha-tag': 'It follows tags scanned with Home Assistant’s apps, which no device of a site reports.',
  'ha-webhook': 'It takes webhooks that Home Assistant receives, which a gateway does not.',
  'ha-device': 'It follows or drives a Home Assistant device automation, which the flow does not describe.',
  'ha-entity':
    'It creates an entity in Home Assistant for Node-RED to report to, which a Fieldgraph gateway does not keep.',
  'ha-sensor':
    'It creates a sensor in Home Assistant for Node-RED to report to, which a Fieldgraph gateway does not keep.',
  'ha-binary-sensor':
    'It creates a binary sensor in Home Assistant for Node-RED to report to, which a Fieldgraph gateway does not keep.',
  'ha-switch':
    'It creates a switch in Home Assistant that turns this flow on and off, which a Fieldgraph gateway does not keep.',
  'ha-button':
    'It creates a button in Home Assistant that starts this flow, which a Fieldgraph gateway does not keep.',
  'ha-select': 'It creates a select entity in Home Assistant, which a Fieldgraph gateway does not keep.',
  'ha-number': 'It creates a number entity in Home Assistant, which a Fieldgraph gateway does not keep.',
  'ha-text': 'It creates a text entity in Home Assistant, which a Fieldgraph gateway does not keep.',
  'ha-time-entity': 'It creates a time entity in Home Assistant, which a Fieldgraph gateway does not keep.',
  'ha-update-config': 'It changes the settings of an entity Node-RED created in Home Assistant.',
};
