import * as z from 'zod/mini';
import { extensionSchema } from '../functions/core/extensions.ts';
const ref = z.strictObject({ name: z.literal('saved-extension'), id: z.string({error:'must be a string'}) });
const u = z.discriminatedUnion('name', [extensionSchema, ref], { error: (i) => `bad: ${JSON.stringify(i)}` });
for (const v of [{name:'remove-bg'}, 5, {name:'saved-extension'}, {name:'saved-extension', id:'x', extra:1}, {name:'aws-auto-tagging', minConfidence: 200, maxTags: 1}, {}]) {
  const r = u.safeParse(v); console.log(JSON.stringify(v), r.success ? 'ok' : JSON.stringify(r.error.issues));
}
