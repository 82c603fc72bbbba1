// Prints every image a stack's config uses, one per line (used by deploy.sh to fetch missing ones).
import { join } from "node:path";
import { exitWith, runCommand } from "../cli/args";
import { imagePaths } from "../config/schema";
import { loadStackFile, stackFilePath } from "../config/load";

const LIST_IMAGES_COMMAND = {
  name: "list-images",
  usage: "usage: tsx scripts/list-images.ts [STACK]   prints every image Pulumi.<STACK>.yaml uses (default STACK: dev)",
  options: {},
  positionals: { name: "STACK", max: 1 },
} as const;

function listImages([stack = "dev"]: string[]): number {
  const { config } = loadStackFile(stackFilePath(stack, join(__dirname, "..")));
  for (const image of new Set(imagePaths(config).map(([, image]) => image))) console.log(image);
  return 0;
}

// an unreadable or invalid stack file: the error, exit 1 (deploy.sh stops on it)
exitWith(
  runCommand(LIST_IMAGES_COMMAND, process.argv.slice(2), ({ positionals }) => listImages(positionals)),
  {
    onCrash: (error) => {
      console.error(error);
      return 1;
    },
  },
);
