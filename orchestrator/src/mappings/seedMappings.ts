// The seed's 13 mappings (and file notes), as the run report counts them: each table mapping says which of them its
// rows count towards (tableMapping.ts CountRule), in this order. Their names are the vocabulary's phrases for people.
import { MAPPING_NAMES } from '../vocabulary/options';

export type SeedMappingKey = keyof typeof MAPPING_NAMES;
export type SeedMapping = (typeof MAPPING_NAMES)[SeedMappingKey];
export const SEED_MAPPINGS: readonly SeedMapping[] = Object.values(MAPPING_NAMES);
