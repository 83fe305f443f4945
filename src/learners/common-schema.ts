/** Scenario-file schemas shared by several learners. */
import { z } from "zod";

export const optimizerSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("sgd"),
    learningRate: z.number().positive().max(100),
    momentum: z.number().min(0).max(0.999).optional(),
    weightDecay: z.number().min(0).optional(),
    clipNorm: z.number().positive().optional().describe("clip the global gradient L2 norm"),
  }),
  z.strictObject({
    type: z.literal("adam"),
    learningRate: z.number().positive().max(10),
    beta1: z.number().min(0).max(0.9999).optional(),
    beta2: z.number().min(0).max(0.99999).optional(),
    epsilon: z.number().positive().optional(),
    weightDecay: z.number().min(0).optional(),
    clipNorm: z.number().positive().optional(),
  }),
]);
