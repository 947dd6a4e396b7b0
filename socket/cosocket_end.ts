/**
 * How a cosocket ended, as its teardowns learn it: it `returned`, `threw`,
 * or was `halted`.
 */
export type CosocketEnd = "returned" | "threw" | "halted";
