/** Builds the routing strategy a config names (the one switch over strategy types). */
import { GrowStrategy } from "./grow.js";
import { PruneStrategy } from "./prune.js";
import { RandomStrategy } from "./random.js";
import type { RoutingContext, RoutingStrategy, RoutingStrategyConfig } from "./strategy.js";

export function createRoutingStrategy(config: RoutingStrategyConfig, ctx: RoutingContext): RoutingStrategy {
  switch (config.type) {
    case "prune":
      return new PruneStrategy(config, ctx);
    case "grow":
      return new GrowStrategy(config, ctx);
    case "random":
      return new RandomStrategy(config, ctx);
  }
}
