public enum SIPPlaceholder {}
