// The one error shape every refusal uses: `{ error: { code, message, issues? } }`. Codes are stable
// and machine-readable; messages are for people and never carry a stack trace or request data.
import { z } from 'zod';

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
