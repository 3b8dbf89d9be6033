import { z } from 'zod';
import { command } from './define';
import { empty, jobIdSchema, ok } from './common';

export const JOB_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export const jobInfoSchema = z.object({
  id: jobIdSchema,
  kind: z.string(),
  label: z.string(),
  status: z.enum(JOB_STATUSES),
  done: z.number(),
  total: z.number(),
  message: z.string().nullable(),
  startedAt: z.string(),
  error: z.string().nullable(),
});
export type JobInfo = z.infer<typeof jobInfoSchema>;

export const jobCommands = {
  'jobs.list': command(empty, z.array(jobInfoSchema)),
  'jobs.cancel': command(z.object({ id: jobIdSchema }).strict(), ok),
};

export const jobEvents = {
  /** At most ~10 a second per job. */
  'job.progress': jobInfoSchema,
  'job.finished': jobInfoSchema.extend({ result: z.unknown() }),
};
