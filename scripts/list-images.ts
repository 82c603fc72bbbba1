// Prints every image a stack's config uses, one per line (used by deploy.sh to fetch missing ones).
import { join } from "node:path";
import { imagePaths } from "../config/schema";
import { loadStackFile, stackFilePath } from "../config/load";
import { runStackCommand } from "./stack-command";

runStackCommand("list-images", "usage: tsx scripts/list-images.ts [STACK]   prints every image Pulumi.<STACK>.yaml uses (default STACK: dev)", (stack) => {
  const { config } = loadStackFile(stackFilePath(stack, join(__dirname, "..")));
  for (const image of new Set(imagePaths(config).map(([, image]) => image))) console.log(image);
  return 0;
});
