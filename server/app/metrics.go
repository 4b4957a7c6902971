package app

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsHandler serves Prometheus metrics: Go runtime, process, and the
// tenant connection manager's pool statistics.
func (a *App) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gauge := func(name, help string, value func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "sidekick", Subsystem: "tenant_pools", Name: name, Help: help,
		}, value))
	}
	counter := func(name, help string, value func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: "sidekick", Subsystem: "tenant_pools", Name: name, Help: help,
		}, value))
	}
	gauge("open", "Open tenant database pools.", func() float64 { return float64(a.Tenants.Stats().OpenPools) })
	gauge("max", "Maximum open tenant database pools.", func() float64 { return float64(a.Tenants.Stats().MaxPools) })
	gauge("leases_in_use", "Tenant database leases held by requests.",
		func() float64 { return float64(a.Tenants.Stats().LeasesInUse) })
	counter("opens_total", "Tenant database pools opened.", func() float64 { return float64(a.Tenants.Stats().Opens) })
	counter("evictions_total", "Tenant pools closed to stay within the connection budget.",
		func() float64 { return float64(a.Tenants.Stats().Evictions) })
	counter("open_errors_total", "Failed tenant database opens.",
		func() float64 { return float64(a.Tenants.Stats().OpenErrors) })
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
