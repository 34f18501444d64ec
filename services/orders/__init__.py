"""orders: places orders by reserving stock (catalog) and charging (payments), with compensation."""
