// Settings rows: one named value per row, written once (storage/contract/settings.ts).
import type { Millis } from '../rows.js';

export interface SettingsTable {
  name: string;
  value: string;
  created_at: Millis;
}
