/**
 * A site device's settings and login as the Roles tab edits them: the model's variables with
 * the device's values, checked against the model before they are kept, and the login whose
 * password lives in the secret store (the site file holds only its reference).
 */
import { unsetConditions } from '../../../shared/core/model/binding';
import { modelForDevice } from '../../../shared/core/model/entities';
import type { Device, DeviceAuth, DeviceModel } from '../../../shared/core/model/schemas';

/** One of a device's settings (a model variable, or a variable some `when` tests) as the form shows it. */
export interface SettingRow {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly pattern?: string;
  readonly type?: 'string' | 'integer';
  readonly default?: string | number;
  /** The device's value as text; '' when it has none. */
  readonly value: string;
  /**
   * Capabilities an implementation of the model would offer once this unset setting is given;
   * not those the device's own entities already offer (their implementations are not used).
   */
  readonly neededFor: readonly string[];
}

/** The settings of `device`: its model's variables in model order, then variables only a `when` tests. */
export const settingRows = (device: Device, model: DeviceModel): SettingRow[] => {
  const values = device.variables ?? {};
  const tested = Object.values(model.implements).flatMap((i) => Object.keys(i.when ?? {}));
  const names = [...new Set([...Object.keys(model.variables ?? {}), ...tested])];
  const used = modelForDevice(model, device);
  return names.map((name) => {
    const spec = model.variables?.[name];
    const neededFor = Object.values(used.implements)
      .filter((impl) => unsetConditions(impl, values)?.includes(name))
      .map((impl) => impl.capability);
    return {
      name,
      title: spec?.title ?? name,
      ...(spec?.description ? { description: spec.description } : {}),
      ...(spec?.pattern ? { pattern: spec.pattern } : {}),
      ...(spec?.type ? { type: spec.type } : {}),
      ...(spec?.default !== undefined ? { default: spec.default } : {}),
      value: values[name] === undefined ? '' : String(values[name]),
      neededFor: [...new Set(neededFor)].sort(),
    };
  });
};

/** A checked setting value: undefined clears the setting. */
export type SettingCheck =
  | { readonly ok: true; readonly value: string | number | undefined }
  | { readonly ok: false; readonly message: string };

/** Checks text typed for a setting against the model's type and pattern; the message says what fits. */
export const checkSetting = (
  row: Pick<SettingRow, 'name' | 'title' | 'pattern' | 'type'>,
  text: string,
): SettingCheck => {
  const value = text.trim();
  if (value === '') return { ok: true, value: undefined };
  const label = row.title === row.name ? row.name : `${row.title} (${row.name})`;
  if (row.type === 'integer') {
    if (!/^-?\d+$/.test(value))
      return { ok: false, message: `${label} takes a whole number; “${value}” is not one.` };
    return { ok: true, value: Number(value) };
  }
  if (row.pattern) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(row.pattern);
    } catch {
      return { ok: true, value };
    }
    if (!pattern.test(value))
      return {
        ok: false,
        message: `${label} must match ${row.pattern}; “${value}” does not. Fix the value (the description says what it holds).`,
      };
  }
  return { ok: true, value };
};

/** The device with one setting given (or cleared with undefined); other fields kept. */
export const withSetting = (device: Device, name: string, value: string | number | undefined): Device => {
  const variables = { ...(device.variables ?? {}) };
  if (value === undefined) delete variables[name];
  else variables[name] = value;
  const { variables: _old, ...rest } = device;
  return Object.keys(variables).length > 0 ? { ...rest, variables } : rest;
};

/** The device with its login set, or removed with undefined. */
export const withAuth = (device: Device, auth: DeviceAuth | undefined): Device => {
  const { auth: _old, ...rest } = device;
  return auth ? { ...rest, auth } : rest;
};

/** Where a device's login password is kept in the secret store (`device/<site>/<device>/password`). */
export const passwordRef = (site: string, device: string): string => `device/${site}/${device}/password`;

/** The login a site file keeps: the username when one is given, and the password's reference. */
export const loginOf = (username: string, ref: string): DeviceAuth => ({
  ...(username.trim() ? { username: username.trim().slice(0, 200) } : {}),
  password: { secret: ref },
});
