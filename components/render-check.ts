// A render-time check run inside a component: its refusal is reported on that component (a
// ResourceError names the resource), and nothing has been declared yet.
import * as pulumi from "@pulumi/pulumi";
import { RenderCheckError } from "../render/keycloak/checked";

export function checkedOn<T>(parent: pulumi.Resource, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof RenderCheckError) throw new pulumi.ResourceError(error.message, parent);
    throw error;
  }
}
