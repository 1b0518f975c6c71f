/** CIDR parsing lives in core (the reachability engine needs it too); the config schema uses it from here. */
export * from "../core/cidr.ts";
