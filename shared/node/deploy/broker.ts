/**
 * How the installer side reaches a site broker: the address without credentials, the
 * credentials on their own, and for `mqtts://` and `wss://` the TLS files — a client
 * certificate and key and the CA to check the broker with — from the secret store (the app) or
 * from files named on the command line (the CLI). Every operation on gateways (deploy, preview,
 * rollback, pairing, key rotation, traces) connects with what this returns.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { brokerTlsRefs } from '../../core/api/areas/deploy';
import { FieldgraphError } from '../../core/errors';
import type { SecretStore } from '../secrets';
import { redactUrl } from '../redact';

/** TLS files as PEM text. */
export interface BrokerTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** A site broker as the gateway client and the MQTT deploy targets take it. */
export interface BrokerConnection {
  /** The broker's address without user name or password. */
  readonly brokerUrl: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: BrokerTls;
}

const usesTls = (url: URL): boolean => url.protocol === 'mqtts:' || url.protocol === 'wss:';

/** Splits the credentials off a broker URL; `deploy.invalid_target` when it is not a broker URL. */
export const splitBrokerUrl = (brokerUrl: string): BrokerConnection & { readonly url: URL } => {
  let url: URL;
  try {
    url = new URL(brokerUrl);
  } catch {
    throw new FieldgraphError(
      'deploy.invalid_target',
      `"${brokerUrl.slice(0, 200)}" is not a broker address; give one like mqtt://192.168.1.10:1883 or mqtts://broker.example:8883.`,
    );
  }
  if (!/^(mqtts?|wss?|tcp):$/.test(url.protocol))
    throw new FieldgraphError(
      'deploy.invalid_target',
      `${redactUrl(brokerUrl)} is not a broker address: it must start with mqtt://, mqtts://, ws:// or wss://.`,
    );
  const username = decodeURIComponent(url.username) || undefined;
  const password = decodeURIComponent(url.password) || undefined;
  const bare = new URL(url);
  bare.username = '';
  bare.password = '';
  return {
    url,
    brokerUrl: bare.toString().replace(/\/$/, ''),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
};

// A certificate and its key go together; text that is not PEM is named, never echoed.
const checkTls = (tls: BrokerTls, where: (part: keyof BrokerTls) => string): BrokerTls | undefined => {
  for (const part of ['ca', 'cert', 'key'] as const) {
    const text = tls[part];
    if (text !== undefined && !/-----BEGIN [A-Z0-9 ]+-----/.test(text))
      throw new FieldgraphError(
        'deploy.invalid_target',
        `${where(part)} is not PEM text (it should start with "-----BEGIN …-----"); store the ${part === 'ca' ? 'CA certificate' : part === 'cert' ? 'client certificate' : 'client key'} as PEM.`,
      );
  }
  if (Boolean(tls.cert) !== Boolean(tls.key))
    throw new FieldgraphError(
      'deploy.invalid_target',
      `A client certificate needs its key: ${tls.cert ? where('key') : where('cert')} is missing.`,
    );
  return tls.ca || tls.cert ? tls : undefined;
};

/**
 * The site broker as the app reaches it: for `mqtts://` and `wss://`, the CA, client
 * certificate and key stored under `brokerTlsRefs(brokerUrl)` (each optional; certificate and
 * key together). `secrets.locked` names the files when the store cannot be read.
 */
export const brokerFromStore = async (store: SecretStore, brokerUrl: string): Promise<BrokerConnection> => {
  const { url, ...connection } = splitBrokerUrl(brokerUrl);
  if (!usesTls(url)) return connection;
  const refs = brokerTlsRefs(connection.brokerUrl);
  const read = async (ref: string): Promise<string | undefined> => {
    try {
      return await store.get(ref);
    } catch (error) {
      if (error instanceof FieldgraphError && error.code === 'secrets.locked')
        throw new FieldgraphError(
          'secrets.locked',
          `The secret store is locked, so the TLS files for ${redactUrl(connection.brokerUrl)} ("${refs.cert}", "${refs.key}", "${refs.ca}") cannot be read: unlock it (or set FIELDGRAPH_SECRETS_PASSPHRASE) and try again.`,
        );
      throw error;
    }
  };
  const [ca, cert, key] = await Promise.all([read(refs.ca), read(refs.cert), read(refs.key)]);
  const tls = checkTls(
    { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    (part) => `The secret "${refs[part]}"`,
  );
  return { ...connection, ...(tls ? { tls } : {}) };
};

/** TLS files named on a command line (`--ca`, `--cert`, and the key's flag), read as PEM. */
export const brokerTlsFromFiles = (files: {
  readonly ca?: { readonly flag: string; readonly path?: string };
  readonly cert?: { readonly flag: string; readonly path?: string };
  readonly key?: { readonly flag: string; readonly path?: string };
}): BrokerTls | undefined => {
  const text: Record<string, string> = {};
  for (const part of ['ca', 'cert', 'key'] as const) {
    const file = files[part];
    if (!file?.path) continue;
    try {
      text[part] = readFileSync(resolve(file.path), 'utf8');
    } catch (error) {
      throw new FieldgraphError(
        'deploy.invalid_target',
        `${file.flag} ${file.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); give the PEM file's path.`,
      );
    }
  }
  return checkTls(text, (part) => `${files[part]?.flag ?? part} ${files[part]?.path ?? ''}`.trim());
};
