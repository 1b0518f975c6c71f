/** A valid Deployment that doc examples pair with the object they show a defect in. */
export const ORDER_MANAGER_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: order-manager
  namespace: nautilus-trading
spec:
  replicas: 2
  selector:
    matchLabels: { app.kubernetes.io/name: order-manager }
  template:
    metadata:
      labels: { app.kubernetes.io/name: order-manager }
    spec:
      containers:
        - name: order-manager
          image: registry.nautilus.io/order-manager:2.0.1
`;
