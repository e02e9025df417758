// GET /api/targets/compare: two target names of the targets file.
import { z } from 'zod';

const name = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'is not a target name');

export const compareQuerySchema = z.strictObject({ a: name, b: name });
