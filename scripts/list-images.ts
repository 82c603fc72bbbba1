// Prints every image a stack's config uses, one per line (used by deploy.sh to fetch missing ones).
import { join } from "node:path";
import { imagePaths } from "../spec/schema";
import { loadStackFile } from "../spec/load";

const stack = process.argv[2] ?? "dev";
const { spec } = loadStackFile(join(__dirname, "..", `Pulumi.${stack}.yaml`));
for (const image of new Set(imagePaths(spec).map(([, image]) => image))) console.log(image);
