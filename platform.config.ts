/**
 * The Nautilus trading platform: the one file a platform engineer edits.
 * `npm run generate` turns it into out/; `npm run check` gates it.
 *
 * Numbers are the production numbers of the Phase 4 report (shared/seed), except where the report
 * is wrong; each such place says why in a comment marked SEED.
 */
import { definePlatform } from "./schemas/define-platform.ts";
import type { Duration } from "./schemas/units.ts";

const REGISTRY = "registry.nautilus.io/trading";

/**
 * Bucket upper bounds of the latency histograms: fine around the 2.75 µs budget (a boundary, 9% above its
 * neighbour), then coarser up to the slow tail, so the p99 reads true both near the budget and far above it.
 */
const LATENCY_BUCKETS = [
  "500ns",
  "1us",
  "1.5us",
  "2us",
  "2.25us",
  "2.5us",
  "2.75us",
  "3us",
  "3.5us",
  "5us",
  "10us",
  "25us",
  "100us",
  "1ms",
  "10ms",
  "100ms",
  "1s",
] satisfies Duration[];

/** The cluster's availability zones (the nodes' `topology.kubernetes.io/zone`). */
const ZONES = ["eu-west-2a", "eu-west-2b", "eu-west-2c"] as const;

/** The health endpoints every Nautilus service serves on its HTTP port. */
const healthProbes = {
  liveness: { path: "/health/live", period: "10s", failureThreshold: 3 },
  readiness: { path: "/health/ready", period: "5s", failureThreshold: 2 },
  // The report targets a start under 60 s (measured under 30 s with JIT warm-up): the kubelet
  // gives a starting container this budget before liveness takes over.
  startup: { path: "/health/startup", period: "2s", budget: "60s" },
} as const;

export default definePlatform({
  name: "nautilus",
  namespace: "nautilus-trading",
  // The host-network engines: Pod Security `privileged` here, `restricted` in nautilus-trading.
  hostNetworkNamespace: "nautilus-engines",
  kubernetesVersion: "1.30",

  tiers: {
    "ultra-low-latency": {
      description: "Latency-critical engines on dedicated, tainted nodes with host networking and pinned CPUs.",
      priority: 1_000_000,
      nodeSelector: { "node-type": "ultra-low-latency", "cpu-architecture": "x86_64" },
      // Dedicated nodes are tainted so nothing else lands on them; the report selects the nodes
      // but never tolerates the taint that makes them dedicated.
      tolerations: [{ key: "dedicated", operator: "Equal", value: "ultra-low-latency", effect: "NoSchedule" }],
      hostNetwork: true,
      antiAffinity: "required",
      rollout: { maxSurge: 1, maxUnavailable: 0 },
      maxUnavailableDuringDisruption: 1,
      // Two nodes per zone: order-manager's 3 anti-affine replicas plus its surge pod need 4 nodes, and after
      // losing any one zone the 4 left still hold 3 replicas one per node, 2 zones apart.
      zoneSpread: "required",
      pool: {
        zones: { [ZONES[0]]: 2, [ZONES[1]]: 2, [ZONES[2]]: 2 },
        // Two sockets of 12 cores, hyperthreading off: a sibling thread would share the engine's caches.
        threadsPerCore: 1,
        numa: [
          { cpus: "0-11", memory: "48Gi", hugepages: { "2Mi": "2Gi" } },
          { cpus: "12-23", memory: "48Gi", hugepages: { "2Mi": "2Gi" } },
        ],
        // The static CPU manager needs a reservation; the OS, the kubelet and interrupts live on CPUs 0-1.
        reserved: { cpus: "0-1", memory: "4Gi" },
        cpuPinning: true,
        labels: { "node-type": "ultra-low-latency", "cpu-architecture": "x86_64" },
        taints: [{ key: "dedicated", value: "ultra-low-latency", effect: "NoSchedule" }],
      },
      scrapeInterval: "1s",
      // The report's Phase 2B p99 target. Latency alerts on these services default to it, and the coverage check,
      // the dashboards, the promtool tests and the latency-alert admission policy hold every alert to it.
      latencyBudget: "2.75us",
      // An engine stops taking orders for 10 s before SIGTERM, then has 20 s to finish what is in flight.
      shutdown: { drainDelay: "10s", gracePeriod: "30s" },
    },
    "high-performance": {
      description: "Auto-scaled services on the general high-performance pool.",
      priority: 100_000,
      nodeSelector: { "node-type": "high-performance" },
      antiAffinity: "preferred",
      rollout: { maxSurge: "25%", maxUnavailable: 0 },
      // Preferred: an HPA scaling out at peak must not wait for the zones to balance.
      zoneSpread: "preferred",
      pool: {
        zones: { [ZONES[0]]: 2, [ZONES[1]]: 2, [ZONES[2]]: 2 },
        numa: [
          { cpus: "0-7,16-23", memory: "64Gi" },
          { cpus: "8-15,24-31", memory: "64Gi" },
        ],
        reserved: { cpus: "0,16", memory: "4Gi" },
        labels: { "node-type": "high-performance" },
      },
      scrapeInterval: "5s",
      // WebSocket clients reconnect elsewhere once the pod leaves the endpoints; 45 s to close the rest.
      shutdown: { drainDelay: "15s", gracePeriod: "60s" },
    },
  },

  services: {
    "risk-engine": {
      tier: "ultra-low-latency",
      description: "Pre-trade risk checks.",
      image: `${REGISTRY}/risk-engine:4.2.1`,
      replicas: 2,
      resources: {
        // SEED: the report requests hugepages-2Mi without a limit, which the API server rejects:
        // hugepages requests must equal limits.
        requests: { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" },
        limits: { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" },
      },
      // Host networking makes container ports node ports: every engine that may share a node
      // listens on its own pair. The Service still exposes the report's 8000 and 9090.
      ports: { containerHttp: 8001, containerMetrics: 9101 },
      probes: healthProbes,
    },
    "position-keeper": {
      tier: "ultra-low-latency",
      description: "SIMD-optimised position keeping.",
      image: `${REGISTRY}/position-keeper:4.2.1`,
      replicas: 2,
      resources: {
        // SEED: the report gives 1500m and claims dedicated cores. The static CPU manager pins
        // CPUs only for whole-CPU requests; 1500m is Guaranteed but runs on the shared pool.
        requests: { cpu: "2", memory: "512Mi" },
        limits: { cpu: "2", memory: "512Mi" },
      },
      ports: { containerHttp: 8002, containerMetrics: 9102 },
      probes: healthProbes,
    },
    "order-manager": {
      tier: "ultra-low-latency",
      description: "Lock-free order lifecycle management.",
      image: `${REGISTRY}/order-manager:4.2.1`,
      replicas: 3,
      resources: {
        requests: { cpu: "2", memory: "1Gi" },
        limits: { cpu: "2", memory: "1Gi" },
      },
      ports: { containerHttp: 8003, containerMetrics: 9103 },
      probes: healthProbes,
    },
    "integration-engine": {
      tier: "ultra-low-latency",
      description: "End-to-end coordination of the trading pipeline.",
      image: `${REGISTRY}/integration-engine:4.2.1`,
      replicas: 2,
      resources: {
        requests: { cpu: "3", memory: "2Gi" },
        limits: { cpu: "3", memory: "2Gi" },
      },
      ports: { containerHttp: 8004, containerMetrics: 9104 },
      probes: healthProbes,
    },
    "market-data": {
      tier: "high-performance",
      description: "Market data fan-out over WebSockets.",
      image: `${REGISTRY}/market-data:3.8.0`,
      resources: {
        requests: { cpu: "1", memory: "1Gi" },
        limits: { cpu: "2", memory: "1Gi" },
      },
      probes: healthProbes,
      scaling: {
        minReplicas: 3,
        maxReplicas: 15,
        cpuUtilization: 70,
        memoryUtilization: 80,
        custom: [
          { metric: "nautilus_websocket_connections", averageValue: 500 },
          // A rate, served by prometheus-adapter from the nautilus_messages_total counter.
          { metric: "nautilus_messages_per_second", averageValue: 20000 },
        ],
      },
      volumes: [
        { claim: "logs", mountPath: "/var/log/nautilus" },
        { claim: "cache", mountPath: "/var/cache/nautilus" },
      ],
    },
    "strategy-engine": {
      tier: "high-performance",
      description: "Strategy evaluation, scaled with load.",
      image: `${REGISTRY}/strategy-engine:3.8.0`,
      resources: {
        requests: { cpu: "1", memory: "2Gi" },
        limits: { cpu: "2", memory: "2Gi" },
      },
      probes: healthProbes,
      scaling: {
        minReplicas: 2,
        maxReplicas: 10,
        cpuUtilization: 70,
        // At most double per minute; shrink only after 5 minutes of lower load.
        scaleUp: { percent: 100, period: "1m" },
        scaleDown: { stabilization: "5m", percent: 50, period: "1m" },
      },
      volumes: [{ claim: "logs", mountPath: "/var/log/nautilus" }],
    },
    "smart-order-router": {
      tier: "high-performance",
      description: "Routes orders to venues.",
      image: `${REGISTRY}/smart-order-router:3.8.0`,
      // The report names the service but no count: three, so one can be lost during a rollout.
      replicas: 3,
      resources: {
        requests: { cpu: "500m", memory: "512Mi" },
        limits: { cpu: "1", memory: "512Mi" },
      },
      probes: healthProbes,
      // Venue credentials come from the secret store, never from the config or out/.
      secretEnv: { VENUE_API_KEY: { secret: "venue-api-keys", key: "api-key" } },
      volumes: [{ claim: "logs", mountPath: "/var/log/nautilus" }],
    },
  },

  // Who talks to whom. Every NetworkPolicy is generated from this graph, one rule per edge, and `check` proves the
  // policies allow exactly it (platform/reachability). Prometheus' scrapes, traces to Jaeger, DNS and the API server
  // follow from the monitoring config and need no edge here.
  network: {
    // The production cluster's node subnet: host-network engines talk from node addresses, and the
    // network policies let pods accept connections from this range. Set it to your cluster's.
    nodeCidrs: ["10.64.0.0/16"],
    // With Calico IPIP/VXLAN name its tunnel ranges; with Cilium the policies admit engines by entity.
    cni: { plugin: "generic" },
    // PLACEHOLDER: the managed control plane's endpoint range. Left unset it would be the node subnet, and every
    // host-network engine, sharing its node's address, could then reach what the API server may.
    apiServer: { cidrs: ["10.63.0.0/24"] },
    // PLACEHOLDERS: the addresses below are documentation ranges (RFC 5737) until the team fills in the
    // venues', feeds' and receivers' real networks.
    external: {
      venues: {
        description: "Trading venues' FIX order entry gateways.",
        cidrs: ["203.0.113.0/24"],
        ports: [4443],
      },
      feeds: {
        description: "Exchange market data feeds.",
        cidrs: ["198.51.100.0/24"],
        ports: [9443],
      },
      "alert-receivers": {
        description: "PagerDuty, Slack and the dead man's switch, over HTTPS.",
        cidrs: ["192.0.2.0/24"],
        ports: [443],
      },
    },
    services: {
      "market-data": {
        reaches: ["feeds"],
        talksTo: [{ service: "strategy-engine" }, { service: "risk-engine" }],
      },
      "strategy-engine": { talksTo: [{ service: "risk-engine" }, { service: "order-manager" }] },
      "order-manager": {
        talksTo: [{ service: "risk-engine" }, { service: "position-keeper" }, { service: "smart-order-router" }],
      },
      "smart-order-router": { reaches: ["venues"], talksTo: [{ service: "order-manager" }] },
      "integration-engine": {
        talksTo: [{ service: "risk-engine" }, { service: "position-keeper" }, { service: "order-manager" }],
      },
      "risk-engine": { talksTo: [{ service: "position-keeper" }] },
    },
    // Market data's WebSocket clients connect through the cluster's Gateway API controller.
    expose: { "market-data": { via: "gateway", hostname: "marketdata.nautilus.io" } },
    gateway: { controllerNamespace: "gateway-system", className: "nautilus-gateway", tlsSecret: "marketdata-tls" },
    alertmanagerReaches: ["alert-receivers"],
  },

  // The classes the claims use. Both are the cluster's own (prerequisites `deploy` checks); what is
  // declared here is what the platform relies on them to do.
  storageClasses: {
    "fast-ssd": {
      description: "Block SSD volumes for Prometheus' time series.",
      provided: true,
      provisioner: "ebs.csi.aws.com",
      accessModes: ["ReadWriteOnce", "ReadWriteOncePod"],
    },
    "shared-files": {
      description: "NFS file shares mounted by many pods; volumes are kept when their claim goes (audit logs).",
      provided: true,
      provisioner: "nfs.csi.k8s.io",
      reclaimPolicy: "Retain",
      accessModes: ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"],
      // csi-driver-nfs applies the pods' fsGroup only when installed with feature.enableFSGroupPolicy=true.
      fsGroupPolicy: "File",
    },
  },

  // Credentials by reference: the External Secrets Operator creates each Secret from the store.
  secretStore: { kind: "ClusterSecretStore", name: "vault-backend" },
  secrets: {
    "venue-api-keys": {
      description: "The smart order router's venue API keys.",
      remoteKey: "nautilus/trading/venues",
      keys: { "api-key": "api-key" },
    },
    "alertmanager-pagerduty": {
      description: "PagerDuty Events v2 routing key of the trading on-call service.",
      remoteKey: "nautilus/alerting/pagerduty",
      keys: { "routing-key": "routing-key" },
    },
    "alertmanager-slack": {
      description: "Slack incoming-webhook URL of #trading-alerts.",
      remoteKey: "nautilus/alerting/slack",
      keys: { "webhook-url": "webhook-url" },
    },
    "grafana-admin": {
      description: "Grafana's admin user and password.",
      remoteKey: "nautilus/monitoring/grafana-admin",
      keys: { "admin-user": "username", "admin-password": "password" },
    },
    "alertmanager-heartbeat": {
      description: "The dead-man's-switch service's heartbeat URL.",
      remoteKey: "nautilus/alerting/heartbeat",
      keys: { token: "token" },
    },
  },

  storage: {
    metrics: {
      description: "Prometheus time series.",
      size: "100Gi",
      accessMode: "ReadWriteOnce",
      storageClass: "fast-ssd",
    },
    // Shared by every replica of every service, so it needs a ReadWriteMany class.
    logs: {
      description: "Service logs kept for audit.",
      size: "50Gi",
      accessMode: "ReadWriteMany",
      storageClass: "shared-files",
      retain: true,
    },
    cache: {
      description: "Market data snapshot cache.",
      size: "20Gi",
      accessMode: "ReadWriteMany",
      storageClass: "shared-files",
    },
  },

  environments: {
    prod: {},
    staging: {
      tiers: {
        "ultra-low-latency": { pool: { zones: { [ZONES[0]]: 1, [ZONES[1]]: 1, [ZONES[2]]: 1 } } },
        "high-performance": { pool: { zones: { [ZONES[0]]: 1, [ZONES[1]]: 1, [ZONES[2]]: 1 } } },
      },
      services: {
        "order-manager": { replicas: 2 },
        "market-data": { scaling: { minReplicas: 2, maxReplicas: 6 } },
        "strategy-engine": { scaling: { maxReplicas: 4 } },
        "smart-order-router": { replicas: 2 },
      },
      storage: { metrics: { size: "50Gi" } },
    },
    dev: {
      tiers: {
        "ultra-low-latency": { pool: { zones: { [ZONES[0]]: 1, [ZONES[1]]: 1, [ZONES[2]]: 0 } } },
        "high-performance": { pool: { zones: { [ZONES[0]]: 1, [ZONES[1]]: 1, [ZONES[2]]: 0 } } },
      },
      services: {
        "risk-engine": { replicas: 1 },
        "position-keeper": { replicas: 1 },
        "order-manager": { replicas: 1 },
        "integration-engine": { replicas: 1 },
        "market-data": { scaling: { minReplicas: 1, maxReplicas: 3 } },
        "strategy-engine": { scaling: { minReplicas: 1, maxReplicas: 2 } },
        "smart-order-router": { replicas: 1 },
      },
      storage: { metrics: { size: "10Gi" }, logs: { size: "5Gi" }, cache: { size: "2Gi" } },
    },
  },
  monitoring: {
    mode: "standalone",
    // Kubernetes Cluster: 15 seconds (the report); service jobs scrape at their tier's interval.
    scrapeInterval: "15s",
    evaluationInterval: "5s",
    runbookBaseUrl: "https://runbooks.nautilus.io/alerts",
    metrics: {
      // SEED: the services export microsecond gauges, not Prometheus' base-unit histograms;
      // thresholds stay typed durations and are rendered in each metric's own unit.
      nautilus_risk_check_latency_microseconds_p99: {
        type: "gauge",
        unit: "microseconds",
        services: ["risk-engine"],
        help: "p99 of pre-trade risk check latency over the last second.",
      },
      nautilus_integration_e2e_latency_microseconds_p99: {
        type: "gauge",
        unit: "microseconds",
        services: ["integration-engine"],
        help: "p99 of end-to-end pipeline latency over the last second.",
      },
      // Not in the report, which alerts on two of the four engines: the platform's rule is one
      // critical p99 alert per ultra-low-latency engine. New metrics follow Prometheus' convention
      // (seconds histograms). Their buckets are the contract the service teams implement: the budget is a
      // boundary with close neighbours, so histogram_quantile resolves it (platform/histogram-buckets).
      nautilus_position_update_duration_seconds: {
        type: "histogram",
        unit: "seconds",
        services: ["position-keeper"],
        help: "Position update latency.",
        buckets: LATENCY_BUCKETS,
      },
      nautilus_order_processing_duration_seconds: {
        type: "histogram",
        unit: "seconds",
        services: ["order-manager"],
        help: "Order processing latency, receipt to acknowledgement.",
        buckets: LATENCY_BUCKETS,
      },
      nautilus_memory_pool_efficiency_ratio: {
        type: "gauge",
        unit: "ratio",
        services: ["risk-engine", "position-keeper", "order-manager", "integration-engine"],
        help: "Share of allocations served from the pre-allocated pools (0..1).",
      },
      nautilus_requests_total: {
        type: "counter",
        unit: "count",
        services: [
          "risk-engine",
          "position-keeper",
          "order-manager",
          "integration-engine",
          "market-data",
          "strategy-engine",
          "smart-order-router",
        ],
        help: "Requests handled, labelled by service.",
      },
      nautilus_errors_total: {
        type: "counter",
        unit: "count",
        services: [
          "risk-engine",
          "position-keeper",
          "order-manager",
          "integration-engine",
          "market-data",
          "strategy-engine",
          "smart-order-router",
        ],
        help: "Requests that failed, labelled by service.",
      },
      nautilus_websocket_connections: {
        type: "gauge",
        unit: "count",
        services: ["market-data"],
        help: "Open client WebSocket connections.",
      },
      nautilus_messages_total: {
        type: "counter",
        unit: "count",
        services: ["market-data"],
        help: "Market data messages sent.",
      },
    },
    recordingRules: {
      "service:nautilus_error_ratio:rate5m": {
        expr:
          "sum by (service) (rate(nautilus_errors_total[5m])) / sum by (service) " +
          "(rate(nautilus_requests_total[5m]))",
        help: "Share of failed requests per service, for dashboards.",
      },
    },
    alerts: {
      RiskEngineP99LatencyHigh: {
        kind: "threshold",
        severity: "critical",
        service: "risk-engine",
        metric: "nautilus_risk_check_latency_microseconds_p99",
        comparison: ">",
        // The worst 1 s sample of every 10 s: a breach in some seconds of each window pages; the latest sample
        // alone would let one good second reset the 30 s.
        over: "10s",
        for: "30s",
        summary: "Risk engine p99 latency is above its budget",
      },
      IntegrationE2ELatencyHigh: {
        kind: "threshold",
        severity: "critical",
        service: "integration-engine",
        metric: "nautilus_integration_e2e_latency_microseconds_p99",
        comparison: ">",
        // The worst 1 s sample of every 10 s: a breach in some seconds of each window pages; the latest sample
        // alone would let one good second reset the 30 s.
        over: "10s",
        for: "30s",
        summary: "End-to-end pipeline p99 latency is above its budget",
      },
      PositionKeeperP99LatencyHigh: {
        kind: "threshold",
        severity: "critical",
        service: "position-keeper",
        metric: "nautilus_position_update_duration_seconds",
        comparison: ">",
        for: "30s",
        summary: "Position keeper p99 latency is above its budget",
      },
      OrderManagerP99LatencyHigh: {
        kind: "threshold",
        severity: "critical",
        service: "order-manager",
        metric: "nautilus_order_processing_duration_seconds",
        comparison: ">",
        for: "30s",
        summary: "Order manager p99 latency is above its budget",
      },
      MemoryPoolEfficiencyLow: {
        kind: "threshold",
        severity: "warning",
        metric: "nautilus_memory_pool_efficiency_ratio",
        comparison: "<",
        threshold: "95%",
        for: "5m",
        summary: "Memory pool efficiency of {{ $labels.job }} is below 95%",
      },
      // SEED: the report's `up == 0` for 30s was silent once every pod was gone (no target, no `up`) and paged
      // on healthy rollouts, whose starting pods get 60 s. Now: no healthy target at all, for longer than the
      // startup budget (platform/down-alert-startup), plus slack for the scrape and the readiness probe.
      ServiceDown: {
        kind: "down",
        severity: "critical",
        for: "90s",
        summary: "{{ $labels.service }} has no healthy scrape target",
      },
      HighErrorRate: {
        kind: "ratio",
        severity: "warning",
        metric: "nautilus_errors_total",
        per: "nautilus_requests_total",
        comparison: ">",
        threshold: "1%",
        window: "5m",
        for: "2m",
        summary: "{{ $labels.service }} fails more than 1% of requests",
      },
    },
    // Where alerts go: critical pages the on-call trader-support engineer, warnings go to chat, and the
    // Watchdog proves the whole path works. Credentials are Secret references the Alertmanager pods mount.
    alerting: {
      alertmanager: { image: "quay.io/prometheus/alertmanager:v0.25.0", cpu: "100m", memory: "128Mi", replicas: 2 },
      receivers: {
        "trading-pager": {
          kind: "pagerduty",
          routingKey: { secret: "alertmanager-pagerduty", key: "routing-key" },
        },
        "trading-chat": {
          kind: "slack",
          apiUrl: { secret: "alertmanager-slack", key: "webhook-url" },
          channel: "#trading-alerts",
        },
        heartbeat: {
          kind: "webhook",
          url: "https://deadmanssnitch.example.com/nautilus-prod",
          token: { secret: "alertmanager-heartbeat", key: "token" },
        },
      },
      defaultReceiver: "trading-chat",
      groupBy: ["alertname", "service"],
      groupWait: "30s",
      groupInterval: "5m",
      repeatInterval: "4h",
      routes: [
        // Pages repeat hourly until someone acts; chat every four hours.
        { receiver: "trading-pager", severity: "critical", groupWait: "10s", repeatInterval: "1h" },
        { receiver: "trading-chat", severity: "warning" },
      ],
      inhibit: [
        {
          // A service that is down does not also page for its latency or its errors.
          source: ["ServiceDown"],
          target: [
            "RiskEngineP99LatencyHigh",
            "IntegrationE2ELatencyHigh",
            "PositionKeeperP99LatencyHigh",
            "OrderManagerP99LatencyHigh",
            "HighErrorRate",
          ],
          equal: ["service"],
        },
      ],
      heartbeat: {
        alert: "Watchdog",
        receiver: "heartbeat",
        repeatInterval: "1m",
        summary: "Always firing: proves Prometheus evaluates rules and Alertmanager delivers notifications",
      },
    },
    components: {
      prometheus: {
        image: "quay.io/prometheus/prometheus:v2.42.0",
        cpu: "1",
        memory: "4Gi",
        claim: "metrics",
        retention: "360h",
        // Blocks beyond 85% of the metrics claim go first (the default); the WAL replay of a full 4Gi head fits.
        startupBudget: "15m",
      },
      grafana: {
        image: "docker.io/grafana/grafana:10.4.2",
        cpu: "250m",
        memory: "512Mi",
        adminCredentials: { secret: "grafana-admin" },
      },
      jaeger: { image: "docker.io/jaegertracing/all-in-one:1.57.0", cpu: "500m", memory: "1Gi" },
      adapter: {
        image: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
        cpu: "250m",
        memory: "256Mi",
        replicas: 2,
      },
    },
    // Above every tier's priority: a scaling tier never preempts the alert and custom-metrics path.
    priority: 10_000_000,
    tracing: {
      // A span costs on the microsecond path: one trace in a thousand there, one in twenty elsewhere.
      sampling: { "ultra-low-latency": "0.1%", "high-performance": "5%" },
      traceSize: "64Ki",
    },
  },

  // Argo CD syncs each environment's overlay from this repository: dev and staging on every commit, prod when
  // someone presses sync. `platform deploy` runs the seed's stages with kubectl instead.
  gitops: {
    repoURL: "https://git.nautilus.io/platform/nautilus-platform.git",
    targetRevision: "main",
    // The seed's smoke test after the rollout: the pipeline's end-to-end latency self-check.
    smoke: { "integration-engine": ["/health/e2e-latency"] },
  },
});
