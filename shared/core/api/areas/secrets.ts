import { Type } from '@sinclair/typebox';
import { defineMethod } from '../contract';

/** Whether secrets can be stored and read now; never carries a value. */
export const SecretStoreStatus = Type.Object({
  kind: Type.Union([Type.Literal('encrypted-file'), Type.Literal('os-keychain')]),
  unlocked: Type.Boolean(),
  exists: Type.Boolean({ description: 'false until the first secret is stored' }),
});

const Ref = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'a secret reference, e.g. site/demo/wifi',
});

/**
 * The `secrets` area: store, list and remove secrets by reference. No method returns a value:
 * secrets reach the services that use them (commissioning, packaging), never the UI.
 */
export const secretsMethods = {
  status: defineMethod(
    Type.Object({}),
    SecretStoreStatus,
    'Which secret store is in use and whether it is unlocked.',
  ),
  unlock: defineMethod(
    Type.Object({ passphrase: Type.String({ minLength: 1, maxLength: 1024 }) }),
    SecretStoreStatus,
    'Unlocks the encrypted secrets file for this session (secrets.wrong_passphrase when it does not fit).',
  ),
  set: defineMethod(
    Type.Object({ ref: Ref, value: Type.String({ maxLength: 8192 }) }),
    Type.Object({}),
    'Stores a secret under a reference; project files then hold { "secret": ref }.',
  ),
  delete: defineMethod(Type.Object({ ref: Ref }), Type.Object({}), 'Removes a secret.'),
  list: defineMethod(
    Type.Object({}),
    Type.Array(Type.String()),
    'The stored references (names only), sorted.',
  ),
};
