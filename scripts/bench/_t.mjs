import { mkdirSync, writeFileSync } from "node:fs";
import { buildWorkers } from "./lib/workers.mjs";

mkdirSync("/tmp/benchrun/build", { recursive: true });
const built = await buildWorkers("/tmp/benchrun/build");
writeFileSync("/tmp/benchrun/build/built.json", JSON.stringify(built));
