import type { KubeObjectLike } from "../builders.ts";
import { container, deployment, statefulSet } from "../builders.ts";

const withImage = (name: string, image: string) =>
  deployment({ name, tier: "standard", spec: { containers: [container({ image })] } });

export const allow: KubeObjectLike[] = [
  withImage("release-tag", "registry.nautilus.io/risk-engine:1.4.2"),
  withImage(
    "digest",
    "registry.nautilus.io/risk-engine@sha256:4b8e7c2d9f1a3b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
  ),
  withImage(
    "tag-and-digest",
    "registry.nautilus.io/risk-engine:latest@sha256:4b8e7c2d9f1a3b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
  ),
  withImage("registry-port-and-tag", "registry.local:5000/nautilus/risk-engine:1.4.2"),
  withImage("docker-hub-short-name", "redis:7.2.4"),
];

export const deny: KubeObjectLike[] = [
  withImage("latest-tag", "registry.nautilus.io/risk-engine:latest"),
  withImage("no-tag", "registry.nautilus.io/risk-engine"),
  withImage("registry-port-no-tag", "registry.local:5000/risk-engine"),
  withImage("short-name-no-tag", "redis"),
  statefulSet({
    name: "latest-init-container",
    spec: { initContainers: [container({ name: "init", image: "busybox:latest" })] },
  }),
];
