package dev.graft.spi;

/** A step found that an earlier step it depends on has not run; a route-order mistake. */
public class MissingInputException extends ConfigurationException {

    public MissingInputException(String step, String what, String producer) {
        super(step + ": no " + what + " in this run; expected step '" + producer + "' to run before '" + step
                + "'; add 'to: graft:" + producer + "' earlier in the route");
    }

    /** A missing input described in full, when there is more than one way to provide it (with its hint). */
    public MissingInputException(String message) {
        super(message);
    }
}
