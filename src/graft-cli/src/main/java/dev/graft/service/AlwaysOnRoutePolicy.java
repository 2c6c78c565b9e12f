package dev.graft.service;

import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;

/**
 * A route policy that is not a Camel service: Camel skips the callbacks of a stopped policy service, and
 * policies are stopped before in-flight exchanges end during shutdown; these callbacks must always run
 * (run records, run slots).
 */
abstract class AlwaysOnRoutePolicy implements RoutePolicy {

    // Route lifecycle: nothing to do. Exchange callbacks: subclasses override what they need.
    @Override public void onInit(Route route) { }
    @Override public void onStart(Route route) { }
    @Override public void onExchangeBegin(Route route, Exchange exchange) { }
    @Override public void onSuspend(Route route) { }
    @Override public void onResume(Route route) { }
    @Override public void onExchangeDone(Route route, Exchange exchange) { }
    @Override public void onStop(Route route) { }
    @Override public void onRemove(Route route) { }
}
