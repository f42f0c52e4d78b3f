/**
 * Tasmota sensors, entity by entity: the `sn` object of `tasmota/discovery/<MAC>/sensors` names
 * every sensor and quantity the device reports on its SENSOR topic (TempUnit F converted to °C).
 */
import type { DiscoveredEntity } from '../../core/registry/entities';
import { entityId } from '../../core/registry/entities';
import type { Implementation, Mapping } from '../../core/model/schemas';
import { deviceText } from '../../core/registry/text';

/** Sensor payload keys that are not sensors. */
const NOT_SENSORS = new Set(['Time', 'TempUnit', 'PressureUnit', 'SpeedUnit', 'IrReceived']);
/** The chip's own temperature: a reading, but not of the room. */
const CHIP_SENSORS = new Set(['ESP32', 'ESP8266', 'Global']);

const FAHRENHEIT: Mapping = {
  kind: 'linear',
  direction: 'forward',
  device: [32, 212],
  value: [0, 100],
  decimals: 2,
};

const QUANTITIES: Record<string, { capability: string; property: string }> = {
  Temperature: { capability: 'temperature@1', property: 'temperature' },
  Humidity: { capability: 'humidity@1', property: 'humidity' },
  Illuminance: { capability: 'illuminance@1', property: 'illuminance' },
};

/**
 * The entities of a Tasmota's sensors message (`sn`, one SENSOR payload): each temperature,
 * humidity, pressure (hPa) and illuminance reading of each sensor, and the ENERGY meter (power,
 * voltage, current per channel; the total in kWh). Readings no capability takes are listed as
 * unmapped, the chip's own temperature included. Ids are made unique among `taken`.
 */
export const tasmotaSensorEntities = (
  sn: Record<string, unknown>,
  topic: string,
  taken: Set<string>,
): DiscoveredEntity[] => {
  const out: DiscoveredEntity[] = [];
  const fahrenheit = sn.TempUnit === 'F';
  const pressureUnit = typeof sn.PressureUnit === 'string' ? sn.PressureUnit : 'hPa';
  const entity = (
    key: string,
    channel: string,
    component: string,
    capability: string | null,
    binding: Implementation | null,
    raw: unknown,
    reason?: string,
    status?: DiscoveredEntity['status'],
  ): DiscoveredEntity => ({
    id: entityId(channel.replaceAll('.', '_'), taken),
    ecosystem: 'tasmota',
    component,
    name: deviceText(channel.replaceAll('.', ' '), 200),
    channel,
    capability,
    binding,
    state_topic: topic,
    status: status ?? (binding ? 'bound' : 'unmapped'),
    ...(reason ? { reason } : {}),
    raw,
  });
  for (const [key, value] of Object.entries(sn)) {
    if (NOT_SENSORS.has(key)) continue;
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const fields = value as Record<string, unknown>;
    if (key === 'ENERGY') {
      out.push(...energyEntities(fields, topic, taken));
      continue;
    }
    for (const [quantity, reading] of Object.entries(fields)) {
      const channel = `${key}.${quantity}`;
      const known = QUANTITIES[quantity];
      if (quantity === 'Pressure' || quantity === 'SeaPressure') {
        if (quantity === 'SeaPressure' || pressureUnit !== 'hPa') {
          out.push(
            entity(
              key,
              channel,
              'sensor',
              null,
              null,
              { [quantity]: reading },
              quantity === 'SeaPressure'
                ? 'a sea-level pressure, derived from the station pressure'
                : `its pressure unit ${pressureUnit} is not converted`,
            ),
          );
          continue;
        }
        out.push(
          entity(
            key,
            channel,
            'sensor',
            'pressure@1',
            {
              capability: 'pressure@1',
              title: channel,
              properties: {
                pressure: { observe: [{ kind: 'mqtt', topic, format: 'json', valuePath: channel }] },
              },
            },
            { [quantity]: reading },
          ),
        );
        continue;
      }
      if (!known || typeof reading !== 'number') {
        out.push(
          entity(
            key,
            channel,
            'sensor',
            null,
            null,
            { [quantity]: reading },
            `a ${quantity} reading; no library capability takes it`,
          ),
        );
        continue;
      }
      if (CHIP_SENSORS.has(key)) {
        out.push(
          entity(
            key,
            channel,
            'sensor',
            null,
            null,
            { [quantity]: reading },
            "the chip's own temperature, not the room's",
          ),
        );
        continue;
      }
      const celsius = known.property === 'temperature' && fahrenheit;
      out.push(
        entity(
          key,
          channel,
          'sensor',
          known.capability,
          {
            capability: known.capability,
            title: channel,
            properties: {
              [known.property]: {
                observe: [{ kind: 'mqtt', topic, format: 'json', valuePath: channel }],
                ...(celsius ? { map: [FAHRENHEIT] } : {}),
              },
            },
          },
          { [quantity]: reading },
        ),
      );
    }
  }
  return out;
};

const energyEntities = (
  energy: Record<string, unknown>,
  topic: string,
  taken: Set<string>,
): DiscoveredEntity[] => {
  const out: DiscoveredEntity[] = [];
  // A multi-channel meter reports each reading as an array, one value per channel.
  const channels = Array.isArray(energy.Power) ? energy.Power.length : 1;
  for (let ch = 0; ch < Math.min(channels, 8); ch++) {
    const at = (field: string) => (channels > 1 ? `ENERGY.${field}.${ch}` : `ENERGY.${field}`);
    const channel = channels > 1 ? `ENERGY.${ch + 1}` : 'ENERGY';
    const properties: NonNullable<Implementation['properties']> = {};
    for (const [field, property] of [
      ['Power', 'power'],
      ['Voltage', 'voltage'],
      ['Current', 'current'],
    ] as const) {
      if (energy[field] !== undefined)
        properties[property] = { observe: [{ kind: 'mqtt', topic, format: 'json', valuePath: at(field) }] };
    }
    if (Object.keys(properties).length > 0) {
      out.push({
        id: entityId(`${channel.replaceAll('.', '_')}_power`, taken),
        ecosystem: 'tasmota',
        component: 'energy',
        name: channels > 1 ? `Power ${ch + 1}` : 'Power',
        channel,
        capability: 'power-meter@1',
        binding: { capability: 'power-meter@1', title: 'Power', properties },
        state_topic: topic,
        status: 'bound',
        raw: { Power: energy.Power, Voltage: energy.Voltage, Current: energy.Current },
      });
    }
    // Total is one figure for the whole meter, in kWh, as the capability wants it.
    if (ch === 0 && typeof energy.Total === 'number') {
      out.push({
        id: entityId('ENERGY_total', taken),
        ecosystem: 'tasmota',
        component: 'energy',
        name: 'Energy total',
        channel: 'ENERGY',
        capability: 'energy-meter@1',
        binding: {
          capability: 'energy-meter@1',
          title: 'Energy total',
          properties: {
            energy: { observe: [{ kind: 'mqtt', topic, format: 'json', valuePath: 'ENERGY.Total' }] },
          },
        },
        state_topic: topic,
        status: 'bound',
        raw: { Total: energy.Total },
      });
    }
  }
  return out;
};
