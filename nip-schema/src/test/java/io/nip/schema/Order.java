package io.nip.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The JSON tests' event: an order with items. */
record Order(@JsonProperty("order_id") String orderId, double amount, List<Item> items) {
  /** One line of an order. */
  record Item(String sku, int quantity) {}
}
