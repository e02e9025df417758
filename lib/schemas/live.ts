// GET /api/live: exactly one of a run id or a job id.
import { z } from 'zod';

export const liveQuerySchema = z.union([
  z.strictObject({ run: z.uuid('is not a run id') }),
  z.strictObject({ job: z.uuid('is not a job id') }),
], { error: 'give either run or job (one id)' });
