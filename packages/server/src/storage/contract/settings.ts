// The contract of the settings aggregate: facts about the installation that every node sharing the
// database must agree on, written once by the first node and read by the others (docs/operations.md,
// "Running several nodes").

/** The settings the service records, by name. */
export type SettingName = 'issuer';

export interface SettingsRepository {
  get(name: SettingName): Promise<string | undefined>;
  /**
   * Records `value` under `name` unless a value is already there, and returns the value stored:
   * `value` for the first caller, the earlier value for every later one (two nodes racing agree).
   */
  claim(name: SettingName, value: string, now: Date): Promise<string>;
  /** Records `value` under `name`, replacing any earlier value (an operator's decision). */
  set(name: SettingName, value: string, now: Date): Promise<void>;
}
