// The contract of the areas aggregate: deployment areas and their endpoints.
import type { Area } from '../../domain/types.js';

export interface AreaRepository {
  /** Inserts or replaces the area of that name. */
  upsert(area: Area): Promise<void>;
  get(name: string): Promise<Area | undefined>;
  list(): Promise<Area[]>;
}
