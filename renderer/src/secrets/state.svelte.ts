/**
 * What the window knows about the secret store between views: when it was last unlocked, so a
 * view showing "the secrets file is locked" can clear that message once it no longer holds.
 */
export const secretsState = $state({ unlockedAt: 0 });

/** Records that the store was just unlocked (SecretsUnlock calls this). */
export const noteUnlocked = (): void => {
  secretsState.unlockedAt = Date.now();
};
